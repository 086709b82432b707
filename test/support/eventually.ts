/**
 * Reads until `ok` holds, every 100 ms for up to `limitMs`, and answers the value that passed.
 * A read that throws is tried again. At the deadline it fails loudly: what it waited for (the
 * condition's source, or `what`), and the last value or error it saw, so a timeout in a test says
 * more than the assertion that would have followed it.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  limitMs = 20000,
  what: string = ok.toString(),
): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await read();
      if (ok(value)) return value;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen =
    last === undefined
      ? 'nothing'
      : 'error' in last
        ? `the error ${last.error instanceof Error ? (last.error.stack ?? last.error.message) : String(last.error)}`
        : `the value ${describe(last.value)}`;
  throw new Error(`eventually(): not true within ${limitMs} ms: ${what}\nLast seen: ${seen}`);
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value, null, 2) ?? String(value);
    return text.length > 4000 ? `${text.slice(0, 4000)}… (${text.length} characters)` : text;
  } catch {
    return String(value);
  }
}
