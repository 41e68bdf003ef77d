ALTER TABLE `rollups` ADD `rollup_run` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `rollups_granularity_bucket_idx` ON `rollups` (`granularity`,`bucket_start`);