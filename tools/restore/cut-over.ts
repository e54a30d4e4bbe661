/**
 * The way forward after a restore, printed for the person who ran it. Pure text.
 *
 * The live table is managed by CloudFormation (the data stack) under a name it generated; the
 * functions, stream mappings, alarms, grants, the backup selection and the dashboard all reference
 * it through the stacks. So "cut over" is not a switch: either items go back into the live table
 * (usually right), or the restored table replaces the live one in the data stack (an import).
 */
export function cutOverSteps(options: {
  readonly sourceTable: string;
  readonly targetTable: string;
  readonly passed: boolean;
}): string[] {
  const { sourceTable: live, targetTable: restored } = options;
  return [
    options.passed
      ? 'Next steps (docs/operations/backup-and-restore.md says more):'
      : 'The restored table FAILED verification: read the report above before you use it. If you go on:',
    '',
    `A. Copy items back into the live table ${live} (usually right: a bad deploy, a mass deletion, a few customers' data).`,
    '   The live table keeps its name, stream, alarms, grants and backups; nothing in the stacks changes.',
    `   1. Find what to bring back: compare ${restored} with ${live} for the affected partitions (a customer, an order, a day).`,
    '   2. Decide about the stream: every item written back is a new change to the stream consumers. An order',
    '      written back is counted again by SalesAggregator and published again by OrderEvents (which starts',
    '      fulfilment). Pause the mappings first (aws lambda update-event-source-mapping --uuid <id> --no-enabled),',
    '      write, then resume with the iterator past the writes, or write only items the consumers ignore.',
    '   3. Write with conditions (attribute_not_exists(PK) for deleted items; the item version for changed ones),',
    '      so that nothing newer in the live table is overwritten.',
    `   4. Delete ${restored} when done (turn its deletion protection off first, if it has it).`,
    '',
    `B. Replace the live table with ${restored} (the live table is lost or unusable as a whole).`,
    '   CloudFormation must own the new table, or the next deploy re-creates or breaks things:',
    `   1. Stop writes: pause the API (throttle its stage to 0) and the stream mappings.`,
    `   2. In the data stack, set the table's removal policy to RETAIN and deploy; then remove it from the stack`,
    '      and deploy again: CloudFormation forgets the old table without deleting it.',
    `   3. Put the table back in the code and run npx cdk import for the data stack, giving ${restored} as the`,
    "      physical name of the table's logical id: the stack now owns the restored table.",
    "   4. Deploy every stack: the functions' TABLE_NAME, the grants, the stream mappings (the stream ARN is new),",
    '      the alarms, the dashboard and the backup selection all follow the new table.',
    '   5. Resume traffic; keep the old table until you are sure, then delete it by hand.',
  ];
}
