/**
 * The generated tables of docs/security.md: who may call each route, and what each function's role
 * may do to the table, derived exactly as the stacks derive the grants (lib/stacks/api-stack.ts
 * from the API catalogue; the stream consumer's and the fulfilment steps' declared grants), which
 * the infra tests compare with each role in the template.
 */
import { routeList } from '../../lambdas/model/api-catalogue';
import { FUNCTION_GROUPS, type FunctionGroup, type FunctionGroupSpec } from '../../lambdas/model/api-routes';
import type { TableGrant } from '../../lib/constructs/app-function';
import { groupAccess } from '../../lib/stacks/api-stack';
import { FULFILMENT_TABLE_GRANT } from '../../lib/stacks/fulfilment-stack';
import { SALES_AGGREGATOR_TABLE_GRANT } from '../../lib/stacks/streams-stack';
import { table } from './markdown';

export const SECURITY_PAGE = 'docs/security.md';
export const SECURITY_SOURCE = 'tools/docs/security.ts';

/** How each audience's routes are authorized, and what the function checks besides. */
function authorizationOf(audience: 'public' | 'shopper' | 'admin', route: string): string {
  if (audience === 'public') return 'none: public, throttled by the stage';
  if (audience === 'admin') return 'IAM (SigV4), AdminInvokePolicy; the function refuses any other caller';
  return route.includes('{customerId}')
    ? 'JWT (user pool token); only when `customerId` is the token `sub`'
    : 'JWT (user pool token); the profile is created for the token `sub`';
}

/** Each route and how it is authorized. */
export function routeAuthorizationTable(): string {
  const rows = routeList().map((r) => [`\`${r.route}\``, r.group, authorizationOf(r.audience, r.route)]);
  return table(['route', 'function', 'authorization'], rows);
}

const short = (actions: readonly string[]) => actions.map((a) => a.replace('dynamodb:', '')).join(', ');
const partitions = (patterns: readonly string[] | undefined) =>
  patterns === undefined ? 'any' : patterns.map((p) => `\`${p}\``).join(', ');
const READS = /:(GetItem|BatchGetItem|Query|Scan)$/;

function row(name: string, grant: TableGrant, other: string): string[] {
  const reads = grant.actions.filter((a) => READS.test(a));
  const writes = grant.actions.filter((a) => !READS.test(a));
  return [
    name,
    reads.length === 0 ? '—' : `${short(reads)} from ${partitions(grant.readsFrom)}`,
    (grant.indexes ?? []).length === 0 ? '—' : `Query ${(grant.indexes ?? []).join(', ')}`,
    writes.length === 0 ? '—' : `${short(writes)} to ${partitions(grant.writesTo)}`,
    writes.length === 0 ? 'Decrypt' : 'Decrypt, Encrypt, GenerateDataKey\\*, ReEncrypt\\*',
    other,
  ];
}

/** What each function's role may do to the table, and its key, and what else it holds. */
export function functionGrantsTable(): string {
  const api = (Object.entries(FUNCTION_GROUPS) as [FunctionGroup, FunctionGroupSpec][]).map(([group, spec]) => {
    const access = groupAccess(group);
    return row(
      group,
      {
        actions: access.tableActions,
        indexes: access.indexes,
        ...(spec.readsFrom === undefined ? {} : { readsFrom: spec.readsFrom }),
        ...(spec.writesTo === undefined ? {} : { writesTo: spec.writesTo }),
      },
      ['cursor secret (read)', ...(access.idempotent ? ['idempotency table (Get, Put, Update, Delete)'] : [])].join(
        '; ',
      ),
    );
  });
  return table(
    ['function', 'table reads', 'index reads', 'table writes', 'table key (via DynamoDB)', 'also'],
    [
      ...api,
      row('SalesAggregator', SALES_AGGREGATOR_TABLE_GRANT, 'the stream; its failure queue'),
      row('PayOrder, ShipOrder, CompensateOrder', FULFILMENT_TABLE_GRANT, '—'),
    ],
  );
}
