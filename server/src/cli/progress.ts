/**
 * A one-line progress bar for batches, on stderr and only when stderr is a terminal: redirected
 * to a file or a pipe it would be noise, so it stays silent there. Lines printed meanwhile go
 * through `line()`, which clears the bar first and redraws it after.
 */
const WIDTH = 30;
const REDRAW_MS = 100;

export type Progress = {
  step(): void;
  line(stream: NodeJS.WriteStream, text: string): void;
  done(): void;
};

export function progress(total: number, label: string, stderr = process.stderr): Progress {
  if (!stderr.isTTY || total < 2) {
    return { step: () => undefined, line: (s, t) => void s.write(t), done: () => undefined };
  }
  let count = 0;
  let drawnAt = 0;
  const draw = () => {
    const filled = Math.round((WIDTH * count) / total);
    const percent = Math.floor((100 * count) / total);
    stderr.write(
      `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${count}/${total} ${percent}%`,
    );
    drawnAt = Date.now();
  };
  const clear = () => stderr.write('\r\x1b[K');
  draw();

  return {
    step() {
      count++;
      if (count === total || Date.now() - drawnAt >= REDRAW_MS) draw();
    },
    line(stream, text) {
      clear();
      stream.write(text);
      draw();
    },
    done: clear,
  };
}
