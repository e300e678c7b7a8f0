/**
 * The PKCS#12 password, asked on the terminal without echo (raw mode: the characters typed are
 * read one by one and never written back), so that it appears neither on screen nor in the
 * shell history as `--password` would. Without a terminal there is nobody to ask: a clear error.
 */
import { LibraryError } from '../errors/library-error.js';

const ENTER = new Set(['\r', '\n', '\u0004']);
const ERASE = new Set(['\u007f', '\b']);
const CTRL_C = '\u0003';

export async function askPassword(
  prompt: string,
  stdin: NodeJS.ReadStream = process.stdin,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  if (!stdin.isTTY)
    throw new LibraryError(
      'CLI_NO_PASSWORD',
      'Thiếu --password và đầu vào không phải là terminal nên không thể hỏi mật khẩu: hãy chạy lệnh trong terminal hoặc truyền --password.',
    );
  // echo off before the prompt shows: whatever is typed once it is visible is never echoed
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  stderr.write(prompt);

  return new Promise((resolve) => {
    let typed: string[] = [];
    const end = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === CTRL_C) {
          end();
          process.exit(130); // raw mode swallows SIGINT: Ctrl-C still cancels, as a shell expects
        }
        if (ENTER.has(ch)) {
          end();
          resolve(typed.join(''));
          return;
        }
        typed = ERASE.has(ch) ? typed.slice(0, -1) : [...typed, ch];
      }
    };
    stdin.on('data', onData);
  });
}
