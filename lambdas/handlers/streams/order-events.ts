/** Order-events publisher: order placed, cancelled and status changed, on the EventBridge bus (see lambdas/streams/order-events.ts). */
import { streamConsumer } from '../../streams/consumer';
import { publishOrderEvent } from '../../streams/order-events';

export const handler = streamConsumer(publishOrderEvent, { ordering: 'in-order' });
