// A child process's output line by line, for the scripts that show or count what a child prints.
// Node builtins only (none needed).

/** Calls onLine with each whole line the child writes to stdout or stderr. */
export function forEachOutputLine(child, onLine) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      lines.forEach(onLine);
    });
  }
}
