CREATE TABLE `drill_findings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`run_id` integer NOT NULL,
	`title` text NOT NULL,
	`detail` text,
	`owner` text NOT NULL,
	`due_date` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`closed_at` integer,
	FOREIGN KEY (`run_id`) REFERENCES `drill_runs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `drill_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`drill_id` integer NOT NULL,
	`status` text NOT NULL,
	`phase` text NOT NULL,
	`verdict` text,
	`trigger` text NOT NULL,
	`target_asset_ids` text NOT NULL,
	`function_ids` text NOT NULL,
	`started_at` integer,
	`detected_at` integer,
	`failover_completed_at` integer,
	`restored_at` integer,
	`finished_at` integer,
	`rto_met` integer,
	`abort_reason` text,
	`steps` text NOT NULL,
	FOREIGN KEY (`drill_id`) REFERENCES `drills`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `drill_runs_drill_idx` ON `drill_runs` (`drill_id`,`id`);--> statement-breakpoint
CREATE INDEX `drill_runs_status_idx` ON `drill_runs` (`status`);--> statement-breakpoint
CREATE TABLE `drills` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`scenario_id` integer,
	`target_asset_ids` text,
	`blast_radius` text NOT NULL,
	`exercise_type` text NOT NULL,
	`mode` text NOT NULL,
	`inject_hook` text,
	`rollback_hook` text,
	`hypothesis` text NOT NULL,
	`guardrails` text NOT NULL,
	`cron` text,
	`timezone` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`scenario_id`) REFERENCES `scenarios`(`id`) ON UPDATE no action ON DELETE restrict
);
--> statement-breakpoint
CREATE UNIQUE INDEX `drills_key_unique` ON `drills` (`key`);--> statement-breakpoint
CREATE TABLE `scenarios` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`kind` text NOT NULL,
	`params` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scenarios_key_unique` ON `scenarios` (`key`);