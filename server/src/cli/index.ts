import { Command } from 'commander';
import { certsCommand } from './certs.js';
import { edxmlCommand } from './edxml.js';
import { seedCommand } from './seed.js';
import { serveCommand } from './serve.js';
import { signCommand } from './sign.js';
import { verifyCommand } from './verify.js';

export function program(): Command {
  return new Command('lienthong')
    .description('LiênThông — trục liên thông văn bản và ký số PAdES')
    .version('0.1.0')
    .addCommand(serveCommand())
    .addCommand(seedCommand())
    .addCommand(certsCommand())
    .addCommand(signCommand())
    .addCommand(verifyCommand())
    .addCommand(edxmlCommand());
}

await program().parseAsync(process.argv);
