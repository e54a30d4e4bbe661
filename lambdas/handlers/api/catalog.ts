/**
 * Catalog routes (read-only): one product, many products, a category by price.
 */
import * as z from 'zod/mini';
import { getProduct, getProducts, listProductsByCategory } from '../../data/catalog';
import { NotFoundError } from '../../shared/errors';
import { fields, httpApi, ok, parseRequest } from '../../shared/http';

const MAX_BATCH = 100;

const skuList = z.pipe(
  z.string({ error: 'is required: a comma-separated list of SKUs' }),
  z.pipe(
    z.transform((value: string) => value.split(',')),
    z.array(fields.sku).check(z.minLength(1), z.maxLength(MAX_BATCH, `must list at most ${MAX_BATCH} SKUs`)),
  ),
);

const categoryQuery = z
  .strictObject({
    minPrice: z._default(fields.cents, 0),
    maxPrice: z._default(fields.cents, 9_999_999_999),
    limit: fields.limit,
    cursor: fields.cursor,
  })
  .check(z.refine((q) => q.minPrice <= q.maxPrice, { error: 'must not be above maxPrice', path: ['minPrice'] }));

export const handler = httpApi('Catalog', {
  getProduct: async (event) => {
    const { path } = parseRequest(event, { path: z.strictObject({ sku: fields.sku }) });
    const product = await getProduct(path.sku);
    if (product === undefined) throw new NotFoundError('Product', path.sku);
    return ok(product);
  },

  getProducts: async (event) => {
    const { query } = parseRequest(event, { query: z.strictObject({ skus: skuList }) });
    return ok(await getProducts(query.skus));
  },

  listProductsByCategory: async (event) => {
    const { path, query } = parseRequest(event, {
      path: z.strictObject({ category: fields.category }),
      query: categoryQuery,
    });
    const page = await listProductsByCategory(
      { category: path.category, minPriceCents: query.minPrice, maxPriceCents: query.maxPrice },
      { limit: query.limit, cursor: query.cursor },
    );
    return ok(page);
  },
});
