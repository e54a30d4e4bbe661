/**
 * The rotating secret's cache and grace window, against a small model of Secrets Manager's version
 * stages and a clock passed in: when the value is read again, and which values are accepted around
 * a rotation. moto's version stages are covered end to end in test/integration/cursor-rotation.test.ts.
 */
import {
  RotatingSecret,
  type SecretReader,
  type SecretVersion,
  type VersionStage,
} from '../../../lambdas/shared/secrets';

const MINUTE = 60 * 1000;
const OPTIONS = { maxAgeMs: 5 * MINUTE, graceMs: 60 * MINUTE, recheckMs: 10 * 1000 } as const;
const T0 = Date.parse('2026-11-01T10:00:00.000Z');

/** Secrets Manager's stages for one secret: a rotation moves AWSCURRENT on and AWSPREVIOUS behind it. */
function versionStages(firstValue: string, createdAt: number) {
  let current: SecretVersion = { value: firstValue, versionId: 'v0', createdAt };
  let previous: SecretVersion | undefined;
  const reads: VersionStage[] = [];
  const read: SecretReader = async (_secretId, stage) => {
    reads.push(stage);
    return stage === 'AWSCURRENT' ? current : previous;
  };
  return {
    read,
    reads,
    rotate(value: string, at: number) {
      previous = current;
      current = { value, versionId: `v${reads.length}-${value}`, createdAt: at };
    },
  };
}

const is = (expected: string) => (value: string) => value === expected;

test('the value is read again once it is maxAge old, and not before', async () => {
  // Prepare
  const stages = versionStages('key-1', T0 - 24 * 60 * MINUTE);
  const secret = new RotatingSecret('cursor-key', { ...OPTIONS, read: stages.read });

  // Act
  const first = await secret.currentValue(T0);
  stages.rotate('key-2', T0 + MINUTE);
  const justBefore = await secret.currentValue(T0 + OPTIONS.maxAgeMs - 1);
  const atMaxAge = await secret.currentValue(T0 + OPTIONS.maxAgeMs);
  const after = await secret.currentValue(T0 + OPTIONS.maxAgeMs + MINUTE);

  // Assess
  expect([first, justBefore, atMaxAge, after]).toEqual(['key-1', 'key-1', 'key-2', 'key-2']);
  expect(stages.reads).toEqual(['AWSCURRENT', 'AWSCURRENT']);
});

test('after a rotation, the previous value is accepted within the grace window and refused after it', async () => {
  // Prepare: a container started after the rotation holds only the new value.
  const rotatedAt = T0;
  const stages = versionStages('key-1', T0 - 24 * 60 * MINUTE);
  stages.rotate('key-2', rotatedAt);
  const secret = new RotatingSecret('cursor-key', { ...OPTIONS, read: stages.read });

  // Act
  const newKey = await secret.someValue(is('key-2'), rotatedAt + MINUTE);
  const neverAKey = await secret.someValue(is('forged'), rotatedAt + 2 * MINUTE);
  const withinGrace = await secret.someValue(is('key-1'), rotatedAt + OPTIONS.graceMs - 1);
  const afterGrace = await secret.someValue(is('key-1'), rotatedAt + OPTIONS.graceMs);

  // Assess
  expect({ newKey, withinGrace, afterGrace, neverAKey }).toEqual({
    newKey: true,
    withinGrace: true,
    afterGrace: false,
    neverAKey: false,
  });
});

test('a container holding the replaced value reads the secret again before refusing a value made with the new one', async () => {
  // Prepare: the container read key-1, then the secret was rotated.
  const stages = versionStages('key-1', T0 - 24 * 60 * MINUTE);
  const secret = new RotatingSecret('cursor-key', { ...OPTIONS, read: stages.read });
  await secret.currentValue(T0);
  stages.rotate('key-2', T0 + MINUTE);

  // Act: a cursor signed by a newer container arrives before this one's copy is maxAge old.
  const accepted = await secret.someValue(is('key-2'), T0 + 2 * MINUTE);
  const signsWith = await secret.currentValue(T0 + 2 * MINUTE);

  // Assess: accepted, and from now on this container signs with the new key too.
  expect({ accepted, signsWith }).toEqual({ accepted: true, signsWith: 'key-2' });
  expect(stages.reads).toEqual(['AWSCURRENT', 'AWSCURRENT']);
});

test('values no key accepts re-read the secret at most once per recheck interval', async () => {
  // Prepare
  const stages = versionStages('key-1', T0 - 24 * 60 * MINUTE);
  const secret = new RotatingSecret('cursor-key', { ...OPTIONS, read: stages.read });
  await secret.currentValue(T0);

  // Act: a burst of forged values, then one more after the interval.
  for (let i = 0; i < 5; i++) await secret.someValue(is('forged'), T0 + OPTIONS.recheckMs + i);
  await secret.someValue(is('forged'), T0 + 2 * OPTIONS.recheckMs + 5);

  // Assess: one read to start, one for the burst, one after the interval; the secret was never
  // rotated within the grace window, so AWSPREVIOUS is not asked for.
  expect(stages.reads).toEqual(['AWSCURRENT', 'AWSCURRENT', 'AWSCURRENT']);
});

test('a secret never rotated has no previous value, and asking is cached like any read', async () => {
  // Prepare: created a minute ago, so within what would be the grace window.
  const stages = versionStages('key-1', T0 - MINUTE);
  const secret = new RotatingSecret('cursor-key', { ...OPTIONS, read: stages.read });

  // Act
  const first = await secret.someValue(is('forged'), T0);
  const second = await secret.someValue(is('forged'), T0 + 1);

  // Assess
  expect([first, second]).toEqual([false, false]);
  expect(stages.reads).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
});

test('a failed read is not kept: the next call reads again', async () => {
  // Prepare
  let fail = true;
  const read: SecretReader = async () => {
    if (fail) throw new Error('Secrets Manager unavailable');
    return { value: 'key-1', versionId: 'v1', createdAt: T0 };
  };
  const secret = new RotatingSecret('cursor-key', { ...OPTIONS, read });

  // Act and assess
  await expect(secret.currentValue(T0)).rejects.toThrow('Secrets Manager unavailable');
  fail = false;
  await expect(secret.currentValue(T0 + 1)).resolves.toBe('key-1');
});

test('throws when the grace window would not outlast the cache', () => {
  expect(() => new RotatingSecret('cursor-key', { ...OPTIONS, graceMs: OPTIONS.maxAgeMs })).toThrow(
    'RotatingSecret cursor-key: graceMs (300000) must be longer than maxAgeMs (300000)',
  );
});
