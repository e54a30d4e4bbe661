/**
 * Catalog routes (read-only): one product, many products, a category by price.
 */
import { z } from 'zod';
import { getProduct, getProducts, listProductsByCategory } from '../../data/catalog';
import { NotFoundError } from '../../shared/errors';
import { fields, httpApi, ok, parseRequest } from '../../shared/http';

const MAX_BATCH = 100;

export const handler = httpApi({
  'GET /products/{sku}': async (event) => {
    const { path } = parseRequest(event, { path: z.strictObject({ sku: fields.sku }) });
    const product = await getProduct(path.sku);
    if (product === undefined) throw new NotFoundError('Product', path.sku);
    return ok(product);
  },

  'GET /products': async (event) => {
    const { query } = parseRequest(event, {
      query: z.strictObject({
        skus: z
          .string({ message: 'is required: a comma-separated list of SKUs' })
          .transform((value) => value.split(','))
          .pipe(z.array(fields.sku).min(1).max(MAX_BATCH, `must list at most ${MAX_BATCH} SKUs`)),
      }),
    });
    return ok(await getProducts(query.skus));
  },

  'GET /categories/{category}/products': async (event) => {
    const { path, query } = parseRequest(event, {
      path: z.strictObject({ category: fields.category }),
      query: z
        .strictObject({
          minPrice: fields.cents.default(0),
          maxPrice: fields.cents.default(9_999_999_999),
          limit: fields.limit,
          cursor: fields.cursor,
        })
        .refine((q) => q.minPrice <= q.maxPrice, { message: 'must not be above maxPrice', path: ['minPrice'] }),
    });
    const page = await listProductsByCategory(
      { category: path.category, minPriceCents: query.minPrice, maxPriceCents: query.maxPrice },
      { limit: query.limit, cursor: query.cursor },
    );
    return ok(page);
  },
});
