/** Sales aggregator: daily sales per product and per day, exactly once per stream record (see lambdas/streams/sales-aggregator.ts). */
import { streamConsumer } from '../../streams/consumer';
import { applySalesEvent } from '../../streams/sales-aggregator';

export const handler = streamConsumer(applySalesEvent, { ordering: 'in-order' });
