-- Abandoned carts: cart lines that expired unbought, per UTC day, from the expired-cart archive.
SELECT
  day AS expired_day,
  COUNT(*) AS cart_lines,
  COUNT(DISTINCT customer_id) AS customers,
  SUM(quantity) AS units,
  SUM(quantity * unit_price_cents) AS value_cents
FROM expired_carts
GROUP BY day
ORDER BY expired_day
