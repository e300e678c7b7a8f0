// Runs the verify command as a program, the way `lienthong verify` does, for the CLI test.
import { verifyCommand } from '../../../server/src/cli/verify.js';

await verifyCommand().parseAsync(process.argv);
