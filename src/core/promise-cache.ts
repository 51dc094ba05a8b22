/**
 * The value of `make()` for `key`, made once and shared by every caller that asks meanwhile or
 * later (the slots of a worker asking for one DAG version at once get one fetch). A failed one is
 * forgotten, so the next caller asks again: the database, or the file, may have been away.
 */
export function cachedPromise<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let value = map.get(key);
  if (!value) {
    value = make();
    value.catch(() => map.delete(key));
    map.set(key, value);
  }
  return value;
}
