CREATE TABLE `check_latest` (
	`check_id` integer PRIMARY KEY NOT NULL,
	`ts` integer NOT NULL,
	`latency_ms` integer,
	`streak_status` integer,
	`streak_count` integer,
	`streak_started_at` integer,
	`observed_at` integer,
	`flap_history` integer
);
--> statement-breakpoint
-- Filled from the stored results while check_results_check_ts_idx still exists (a few seeks per
-- check): each check's newest result, and its central streak as the start-up rebuild read it from
-- the results until now (the latest max(thresholds, 21) central results within a few intervals of
-- them, the count held to the longer threshold; the flap history of domain/flapping.ts: bit 21
-- begun, bit 0 the newest down, the oldest filling the bits of the samples missing).
WITH `recent` AS (
	SELECT r.check_id, r.status, r.ts, max(c.failure_threshold, c.success_threshold) AS cap,
		max(c.failure_threshold, c.success_threshold, 21) AS depth,
		row_number() OVER (PARTITION BY r.check_id ORDER BY r.ts DESC) AS rn,
		first_value(r.status) OVER (PARTITION BY r.check_id ORDER BY r.ts DESC) AS newest
	-- CROSS JOIN keeps checks the outer loop: each check's recent results by an index range, never a
	-- pass over every stored result
	FROM checks c CROSS JOIN check_results r ON r.check_id = c.id AND r.vantage_id IS NULL
		AND r.ts >= CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
			- coalesce(c.interval_seconds, 86400) * 1000 * (max(c.failure_threshold, c.success_threshold, 21) + 2)
), `held` AS (
	SELECT check_id, status, ts, rn, count(*) OVER w AS k,
		min(coalesce(min(CASE WHEN status <> newest THEN rn END) OVER w - 1, count(*) OVER w), cap) AS held
	FROM `recent` WHERE rn <= depth
	WINDOW w AS (PARTITION BY check_id)
), `streaks` AS (
	SELECT check_id,
		max(CASE WHEN rn = 1 THEN status END) AS status,
		max(held) AS count,
		max(CASE WHEN rn = held THEN ts END) AS started_at,
		max(CASE WHEN rn = 1 THEN ts END) AS observed_at,
		(1 << 21) | sum(CASE WHEN rn <= 21 AND status = 2 THEN 1 << (rn - 1) ELSE 0 END)
			| max(CASE WHEN rn = k AND k < 21 AND status = 2 THEN (1 << 21) - (1 << k) ELSE 0 END) AS flap
	FROM `held` GROUP BY check_id
)
INSERT INTO `check_latest` (`check_id`, `ts`, `latency_ms`, `streak_status`, `streak_count`, `streak_started_at`, `observed_at`, `flap_history`)
SELECT c.id, n.ts, n.latency_ms, s.status, s.count, s.started_at, s.observed_at, s.flap
FROM checks c
JOIN check_results n ON n.rowid = (SELECT rowid FROM check_results WHERE check_id = c.id ORDER BY ts DESC LIMIT 1)
LEFT JOIN `streaks` s ON s.check_id = c.id;
--> statement-breakpoint
DROP INDEX `check_results_check_ts_idx`;
