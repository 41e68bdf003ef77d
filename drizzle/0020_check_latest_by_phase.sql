-- check_latest laid out by due phase (src/core/monitor/phase.ts latestSlot): the rows of checks
-- that come due together sit together. slot = the id's Knuth hash, (id × 2654435761) mod 2^32,
-- in its top 20 bits, then the id; the same as latestSlot computes.
CREATE TABLE `__new_check_latest` (
	`slot` integer PRIMARY KEY NOT NULL,
	`check_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`latency_ms` integer,
	`streak_status` integer,
	`streak_count` integer,
	`streak_started_at` integer,
	`observed_at` integer,
	`flap_history` integer
);
--> statement-breakpoint
INSERT INTO `__new_check_latest`("slot", "check_id", "ts", "latency_ms", "streak_status", "streak_count", "streak_started_at", "observed_at", "flap_history")
SELECT ((("check_id" * 2654435761) % 4294967296) >> 12) * 4294967296 + "check_id", "check_id", "ts", "latency_ms", "streak_status", "streak_count", "streak_started_at", "observed_at", "flap_history" FROM `check_latest`;--> statement-breakpoint
DROP TABLE `check_latest`;--> statement-breakpoint
ALTER TABLE `__new_check_latest` RENAME TO `check_latest`;--> statement-breakpoint
CREATE UNIQUE INDEX `check_latest_check_id_unique` ON `check_latest` (`check_id`);
