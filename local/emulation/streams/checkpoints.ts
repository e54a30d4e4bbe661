/**
 * Stream checkpoints kept in a file, as Lambda keeps an event source mapping's position in each
 * shard: so that a local app restarted on kept data resumes each mapping where it stopped, and
 * what was written but not yet consumed when it stopped (a crash, a kill, a closed laptop) still
 * reaches the consumers, once.
 *
 * The file holds, per mapping, the stream it reads and the sequence number of the last record it
 * is done with in each shard. Every change is written at once, to a temporary file renamed over
 * the old one, so that a kill at any moment leaves either the old file or the new one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface MappingCheckpoint {
  readonly streamArn: string;
  /** Sequence number of the last record done with, by shard id. */
  readonly shards: Record<string, string>;
}

interface CheckpointDocument {
  readonly version: 1;
  readonly mappings: Record<string, MappingCheckpoint>;
}

export class CheckpointFile {
  private readonly document: CheckpointDocument;

  constructor(private readonly file: string) {
    this.document = existsSync(file) ? CheckpointFile.read(file) : { version: 1, mappings: {} };
  }

  private static read(file: string): CheckpointDocument {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CheckpointDocument>;
    if (parsed.version !== 1 || typeof parsed.mappings !== 'object' || parsed.mappings === null) {
      throw new Error(`${file} is not a stream checkpoint file of this version; delete it to start over`);
    }
    return { version: 1, mappings: parsed.mappings };
  }

  /**
   * Where a mapping stands on a stream: per shard, the last sequence number it is done with (an
   * empty record: from the start of every shard). Undefined when it has never read this stream.
   */
  positionsOf(mappingId: string, streamArn: string): Readonly<Record<string, string>> | undefined {
    const checkpoint = this.document.mappings[mappingId];
    return checkpoint?.streamArn === streamArn ? { ...checkpoint.shards } : undefined;
  }

  /** Start a mapping afresh on a stream, from the start of every shard: a table just created. */
  startAtBeginning(mappingId: string, streamArn: string): void {
    this.document.mappings[mappingId] = { streamArn, shards: {} };
    this.write();
  }

  /** Record that a mapping is done with a shard up to and including this sequence number. */
  save(mappingId: string, streamArn: string, shardId: string, sequenceNumber: string): void {
    const current = this.document.mappings[mappingId];
    const shards = current?.streamArn === streamArn ? current.shards : {};
    this.document.mappings[mappingId] = { streamArn, shards: { ...shards, [shardId]: sequenceNumber } };
    this.write();
  }

  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.document, null, 2)}\n`);
    renameSync(temporary, this.file);
  }
}
