/**
 * `npm run token -- <customerId>`: print an access token for a local shopper, from the issuer of
 * the app that `npm start` runs, for a request's `Authorization: Bearer <token>` header:
 *
 *   TOKEN=$(npm run -s token -- ada)
 *   curl -s -H "authorization: Bearer $TOKEN" http://127.0.0.1:3000/customers/ada/cart
 *
 * The token's subject is the customer id it may act on; it expires in an hour.
 */
import { shopperToken } from './runner/request-auth';
import { NotRunningError, readRunState } from './runner/run-state';

async function main(): Promise<void> {
  const [sub, ...rest] = process.argv.slice(2);
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.length > 0) {
    console.error('Usage: npm run -s token -- <customerId>   (prints a shopper token for the running local app)');
    process.exitCode = sub === undefined || rest.length > 0 ? 1 : 0;
    return;
  }
  const state = readRunState();
  if (state.auth === undefined) throw new Error('The running app has no JWT authorizer: no shopper tokens here');
  console.log(await shopperToken(state.auth, sub));
}

main().catch((error: unknown) => {
  console.error(error instanceof NotRunningError || error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
