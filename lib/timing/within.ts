/**
 * Waits for `promise` at most `ms`; resolves undefined on timeout (a rejection passes through).
 * `onTimeout` runs in the timer itself, before any continuation: set an "abandoned" flag there
 * when the late result must not be used. The timer is cleared as soon as the promise settles.
 * @example const quitted = (await within(client.quit().then(() => true, () => false), 1_000)) ?? false;
 */
export async function within<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>(
        (resolve) =>
          (timer = setTimeout(() => {
            onTimeout?.();
            resolve(undefined);
          }, ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
