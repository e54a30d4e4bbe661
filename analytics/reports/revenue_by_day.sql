-- Revenue by day: net sales per UTC day an order was placed (cancelled orders left out), from the latest export.
SELECT
  CAST(o.placed_at AS DATE) AS sales_day,
  COUNT(DISTINCT o.order_id) AS order_count,
  SUM(l.quantity) AS units_sold,
  SUM(l.quantity * l.unit_price_cents) AS revenue_cents
FROM orders AS o
JOIN order_lines AS l
  ON l.order_id = o.order_id AND l.export_date = o.export_date
WHERE o.status <> 'CANCELLED'
  AND o.export_date = (SELECT MAX(export_date) FROM orders)
GROUP BY CAST(o.placed_at AS DATE)
ORDER BY sales_day
