import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointFile } from '../../local/emulation/streams/checkpoints';

const fileIn = () => join(mkdtempSync(join(tmpdir(), 'checkpoints-')), 'stream-checkpoints.json');

test('a mapping that never read a stream has no position on it', () => {
  expect(new CheckpointFile(fileIn()).positionsOf('Stack/Mapping', 'arn:stream/1')).toBeUndefined();
});

test('positions survive a new instance, per mapping and stream, and the file is replaced whole', () => {
  const file = fileIn();
  const first = new CheckpointFile(file);
  first.startAtBeginning('Stack/A', 'arn:stream/1');
  first.save('Stack/B', 'arn:stream/1', 'shard-1', '100');
  first.save('Stack/B', 'arn:stream/1', 'shard-1', '200');
  first.save('Stack/B', 'arn:stream/1', 'shard-2', '300');

  const second = new CheckpointFile(file);
  expect(second.positionsOf('Stack/A', 'arn:stream/1')).toEqual({});
  expect(second.positionsOf('Stack/B', 'arn:stream/1')).toEqual({ 'shard-1': '200', 'shard-2': '300' });
  // Another stream (the table was created anew) knows nothing of the old positions.
  expect(second.positionsOf('Stack/B', 'arn:stream/2')).toBeUndefined();
  second.save('Stack/B', 'arn:stream/2', 'shard-9', '5');
  expect(second.positionsOf('Stack/B', 'arn:stream/2')).toEqual({ 'shard-9': '5' });
  expect(readdirSync(join(file, '..'))).toEqual(['stream-checkpoints.json']);
});

test('a file that is not a checkpoint file is refused with what to do', () => {
  const file = fileIn();
  writeFileSync(file, '{"something": "else"}');
  expect(() => new CheckpointFile(file)).toThrow(/not a stream checkpoint file.*delete it/);
});
