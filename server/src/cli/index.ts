import { Command } from 'commander';
import { serveCommand } from './serve.js';

export function program(): Command {
  return new Command('lienthong')
    .description('LiênThông — trục liên thông văn bản và ký số PAdES')
    .version('0.1.0')
    .addCommand(serveCommand());
}

await program().parseAsync(process.argv);
