/** Fulfilment step: pay the order (see lambdas/data/fulfilment.ts). */
import { payOrder } from '../../data/fulfilment';
import { stepHandler } from './step';

export const handler = stepHandler(payOrder);
