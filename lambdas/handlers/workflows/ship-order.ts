/** Fulfilment step: ship the order (see lambdas/data/fulfilment.ts). */
import { shipOrder } from '../../data/fulfilment';
import { stepHandler } from './step';

export const handler = stepHandler(shipOrder);
