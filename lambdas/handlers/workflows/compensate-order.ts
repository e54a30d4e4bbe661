/** Fulfilment step: compensate the order (see lambdas/data/fulfilment.ts). */
import { compensateOrder } from '../../data/fulfilment';
import { stepHandler } from './step';

export const handler = stepHandler(compensateOrder);
