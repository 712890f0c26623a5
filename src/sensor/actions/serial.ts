/**
 * One-at-a-time execution for handlers that change the same thing (Isolate and Unisolate; Restrict
 * and Unrestrict): the dispatcher runs actions as they arrive, so without it an Unisolate delivered
 * right after an Isolate could finish first and leave the device isolated.
 */

/** A queue: each call runs `fn` after every earlier call's `fn` has settled, in call order. */
export function serialQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
