/**
 * Account routes: register a customer with a unique email, and change the email. Both are
 * idempotent under an Idempotency-Key.
 */
import * as z from 'zod/mini';
import { changeCustomerEmail, registerCustomer } from '../../data/accounts';
import { created, fields, httpApi, ok, parseRequest, shopperOf } from '../../shared/http';
import { idempotentRoute, requestToken } from '../../shared/idempotency';

const email = z.email({ error: 'must be an email address' }).check(z.maxLength(120, 'must be at most 120 characters'));

export const handler = httpApi('Accounts', {
  registerCustomer: idempotentRoute(async (event) => {
    const { body } = parseRequest(event, {
      body: z.strictObject({
        email,
        name: z
          .string({ error: 'must be a string' })
          .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(100, 'must be at most 100 characters')),
        marketingOptIn: z._default(z.boolean({ error: 'must be true or false' }), false),
      }),
    });
    // The profile is the signed-in shopper's: its id is the token's subject (authorize() checked it).
    return created(await registerCustomer(shopperOf(event) as string, body, requestToken(event)));
  }),

  changeCustomerEmail: idempotentRoute(async (event) => {
    const { path, body } = parseRequest(event, {
      path: z.strictObject({ customerId: fields.id }),
      body: z.strictObject({ email }),
    });
    return ok(await changeCustomerEmail(path.customerId, body.email));
  }),
});
