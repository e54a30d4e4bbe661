-- Top products: the 20 products with the most revenue from orders not cancelled, from the latest export.
SELECT
  l.sku,
  p.name,
  p.category,
  SUM(l.quantity) AS units_sold,
  SUM(l.quantity * l.unit_price_cents) AS revenue_cents
FROM order_lines AS l
JOIN orders AS o
  ON o.order_id = l.order_id AND o.export_date = l.export_date
LEFT JOIN products AS p
  ON p.sku = l.sku AND p.export_date = l.export_date
WHERE o.status <> 'CANCELLED'
  AND l.export_date = (SELECT MAX(export_date) FROM order_lines)
GROUP BY l.sku, p.name, p.category
ORDER BY revenue_cents DESC, l.sku
LIMIT 20
