/**
 * Sample requests the runner prints, ready to paste: the shopper's as "ada" (customer id = the
 * token's subject), with `$TOKEN` from `npm run -s token -- ada`.
 */
export function sampleRequests(apiUrl: string): string[] {
  const json = `-H 'content-type: application/json'`;
  const bearer = `-H "authorization: Bearer $TOKEN"`;
  const key = (k: string) => `-H 'Idempotency-Key: ${k}'`;
  return [
    `curl -s ${apiUrl}/categories/stationery/products`,
    `curl -s -X POST ${apiUrl}/customers ${bearer} ${json} ${key('try-register-1')} -d '{"email":"ada@example.com","name":"Ada"}'`,
    `curl -s -X POST ${apiUrl}/customers/ada/cart/lines ${bearer} ${json} -d '{"sku":"<SKU>","quantity":2}'`,
    `curl -s -X POST ${apiUrl}/customers/ada/orders ${bearer} ${json} ${key('try-order-1')} -d '{"lines":[{"sku":"<SKU>","quantity":1}]}'`,
    `curl -s ${apiUrl}/admin/sales/$(date -u +%F)`,
  ];
}
