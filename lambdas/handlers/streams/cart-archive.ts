/** Expired-cart archiver: cart lines deleted by TTL, copied to S3 (see lambdas/streams/cart-archive.ts). */

import { archiveCartLine } from '../../streams/cart-archive';
import { streamConsumer } from '../../streams/consumer';

export const handler = streamConsumer(archiveCartLine, { ordering: 'unordered' });
