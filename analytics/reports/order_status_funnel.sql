-- Order status funnel: how many orders reached each step of the lifecycle, and how many are in each status now, from the latest export.
SELECT
  COUNT(*) AS placed,
  COUNT(paid_at) AS paid,
  COUNT(shipped_at) AS shipped,
  COUNT(delivered_at) AS delivered,
  COUNT(cancelled_at) AS cancelled,
  SUM(CASE WHEN status = 'PLACED' THEN 1 ELSE 0 END) AS now_placed,
  SUM(CASE WHEN status = 'PAID' THEN 1 ELSE 0 END) AS now_paid,
  SUM(CASE WHEN status = 'SHIPPED' THEN 1 ELSE 0 END) AS now_shipped
FROM orders
WHERE export_date = (SELECT MAX(export_date) FROM orders)
