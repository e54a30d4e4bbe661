/** Sample requests the runner prints, ready to paste. */
export function sampleRequests(apiUrl: string): string[] {
  const json = `-H 'content-type: application/json'`;
  const key = (k: string) => `-H 'Idempotency-Key: ${k}'`;
  return [
    `curl -s ${apiUrl}/categories/stationery/products`,
    `curl -s -X POST ${apiUrl}/customers ${json} ${key('try-register-1')} -d '{"email":"ada@example.com","name":"Ada"}'`,
    `curl -s -X POST ${apiUrl}/customers/<customerId>/cart/lines ${json} ${key('try-cart-1')} -d '{"sku":"<SKU>","quantity":2}'`,
    `curl -s -X POST ${apiUrl}/customers/<customerId>/orders ${json} ${key('try-order-1')} -d '{"lines":[{"sku":"<SKU>","quantity":1}]}'`,
    `curl -s ${apiUrl}/admin/sales/$(date -u +%F)`,
  ];
}
