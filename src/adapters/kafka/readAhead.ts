/**
 * Keeps up to `depth` calls of `produce` in flight, in order: the publisher's next batches are read
 * and mapped while the current ones are sent. Results are taken in the order the calls were made;
 * a failure surfaces when its turn comes, never earlier. A null result (the end) is left in place
 * for `take`. After `stop`, nothing new is started.
 */
export const readAhead = <T>(produce: () => Promise<T | null>, depth: number) => {
  type Slot = { promise: Promise<T | null>; settled: 'no' | 'value' | 'failed'; value: T | null };
  const slots: Slot[] = [];
  let stopped = false;

  const fill = () => {
    while (!stopped && slots.length < depth) {
      const slot: Slot = { promise: produce(), settled: 'no', value: null };
      slot.promise.then(
        (value) => {
          slot.settled = 'value';
          slot.value = value;
        },
        // Handled here, so a slot never taken (the consumer stopped first) is no unhandled rejection.
        () => (slot.settled = 'failed'),
      );
      slots.push(slot);
    }
  };

  return {
    /** The next result, waiting for it (a failure is thrown here). */
    take: async (): Promise<T | null> => {
      fill();
      const slot = slots.shift()!;
      fill();
      return slot.promise;
    },
    /** The next result if it is already there and is not the end or a failure; otherwise undefined. */
    takeIfReady: (): T | undefined => {
      const slot = slots[0];
      if (slot?.settled !== 'value' || slot.value === null) return undefined;
      slots.shift();
      fill();
      return slot.value;
    },
    stop: () => {
      stopped = true;
    },
  };
};
