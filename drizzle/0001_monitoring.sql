CREATE TABLE `asset_states` (
	`asset_id` integer PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`since` integer NOT NULL,
	`reason` text,
	FOREIGN KEY (`asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `check_results` (
	`check_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`status` integer NOT NULL,
	`latency_ms` integer,
	`jitter_ms` real,
	`loss_pct` real
);
--> statement-breakpoint
CREATE INDEX `check_results_check_ts_idx` ON `check_results` (`check_id`,`ts`);--> statement-breakpoint
CREATE TABLE `check_states` (
	`check_id` integer PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`since` integer NOT NULL,
	`message` text,
	FOREIGN KEY (`check_id`) REFERENCES `checks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `engine_marks` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `function_states` (
	`function_id` integer PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`redundancy` text NOT NULL,
	`since` integer NOT NULL,
	FOREIGN KEY (`function_id`) REFERENCES `mission_functions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `push_heartbeats` (
	`check_id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`status` text NOT NULL,
	`message` text,
	`metrics` text,
	FOREIGN KEY (`check_id`) REFERENCES `checks`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `rollups` (
	`subject_kind` text NOT NULL,
	`subject_id` integer NOT NULL,
	`granularity` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`samples` integer NOT NULL,
	`up_samples` integer NOT NULL,
	`degraded_samples` integer NOT NULL,
	`latency_sum_ms` real NOT NULL,
	`latency_samples` integer NOT NULL,
	PRIMARY KEY(`subject_kind`, `subject_id`, `granularity`, `bucket_start`)
);
--> statement-breakpoint
CREATE TABLE `incident_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`ts` integer NOT NULL,
	`author` text NOT NULL,
	`status` text NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `incident_updates_incident_idx` ON `incident_updates` (`incident_id`,`ts`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ref` text NOT NULL,
	`asset_id` integer,
	`function_ids` text NOT NULL,
	`state` text NOT NULL,
	`severity` text NOT NULL,
	`title` text NOT NULL,
	`started_at` integer NOT NULL,
	`opened_at` integer NOT NULL,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	`resolved_at` integer,
	FOREIGN KEY (`asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_ref_unique` ON `incidents` (`ref`);--> statement-breakpoint
CREATE INDEX `incidents_state_idx` ON `incidents` (`state`,`opened_at`);--> statement-breakpoint
CREATE INDEX `incidents_asset_idx` ON `incidents` (`asset_id`);--> statement-breakpoint
CREATE TABLE `maintenance_windows` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`title` text NOT NULL,
	`asset_ids` text NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`cron` text,
	`timezone` text,
	`duration_minutes` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `maintenance_windows_key_unique` ON `maintenance_windows` (`key`);--> statement-breakpoint
CREATE TABLE `satellites` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`norad_id` integer,
	`elements` text NOT NULL,
	`epoch_ms` integer NOT NULL,
	`source` text NOT NULL,
	`orbit` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `satellites_key_unique` ON `satellites` (`key`);--> statement-breakpoint
ALTER TABLE `checks` ADD `timezone` text;--> statement-breakpoint
ALTER TABLE `checks` ADD `push_token` text;--> statement-breakpoint
CREATE UNIQUE INDEX `checks_push_token_unique` ON `checks` (`push_token`);