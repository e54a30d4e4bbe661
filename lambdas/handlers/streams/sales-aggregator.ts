/** Sales aggregator: daily sales per product and per day, over tumbling windows (see lambdas/streams/sales-aggregator.ts). */
import { windowedConsumer } from '../../streams/consumer';
import { salesWindow } from '../../streams/sales-aggregator';

export const handler = windowedConsumer(salesWindow);
