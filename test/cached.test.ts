import { cachedFor } from '../src/cached';

test('one load serves the calls within the time to live; a later call loads again; a failure is not kept', async () => {
  let clock = 0;
  let loads = 0;
  let fail = false;
  const get = cachedFor(1_000, async () => {
    loads++;
    if (fail) throw new Error('no answer');
    return loads;
  }, () => clock);
  expect(await get()).toBe(1);
  clock = 1_000;
  expect(await get()).toBe(1);
  clock = 1_001;
  expect(await get()).toBe(2);
  fail = true;
  clock = 3_000;
  await expect(get()).rejects.toThrow('no answer');
  fail = false;
  expect(await get()).toBe(4);
  expect(loads).toBe(4);
});
