CREATE TABLE `assets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`lat` real,
	`lon` real,
	`alt_m` real,
	`region` text,
	`operator` text,
	`vendor` text,
	`model` text,
	`firmware` text,
	`management_network` text,
	`grid_region` text,
	`backup_power_hours` real,
	`criticality` text DEFAULT 'medium' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`link_from_asset_id` integer,
	`link_to_asset_id` integer,
	`sla_latency_ms` real,
	`sla_jitter_ms` real,
	`sla_loss_pct` real,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`link_from_asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`link_to_asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assets_key_unique` ON `assets` (`key`);--> statement-breakpoint
CREATE INDEX `assets_kind_idx` ON `assets` (`kind`);--> statement-breakpoint
CREATE INDEX `assets_operator_idx` ON `assets` (`operator`);--> statement-breakpoint
CREATE INDEX `assets_link_from_idx` ON `assets` (`link_from_asset_id`);--> statement-breakpoint
CREATE INDEX `assets_link_to_idx` ON `assets` (`link_to_asset_id`);--> statement-breakpoint
CREATE TABLE `dependency_groups` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`function_id` integer NOT NULL,
	`name` text NOT NULL,
	`k` integer NOT NULL,
	`position` integer NOT NULL,
	FOREIGN KEY (`function_id`) REFERENCES `mission_functions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dependency_groups_function_name_uq` ON `dependency_groups` (`function_id`,`name`);--> statement-breakpoint
CREATE TABLE `group_members` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`group_id` integer NOT NULL,
	`asset_id` integer,
	`member_function_id` integer,
	`position` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `dependency_groups`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`member_function_id`) REFERENCES `mission_functions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "group_members_one_target" CHECK(("group_members"."asset_id" IS NULL) <> ("group_members"."member_function_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `group_members_group_idx` ON `group_members` (`group_id`);--> statement-breakpoint
CREATE INDEX `group_members_asset_idx` ON `group_members` (`asset_id`);--> statement-breakpoint
CREATE INDEX `group_members_function_idx` ON `group_members` (`member_function_id`);--> statement-breakpoint
CREATE TABLE `mission_functions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`tier` text NOT NULL,
	`rto_seconds` integer NOT NULL,
	`rpo_seconds` integer,
	`mtd_seconds` integer NOT NULL,
	`owner` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mission_functions_key_unique` ON `mission_functions` (`key`);--> statement-breakpoint
CREATE TABLE `checks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`asset_id` integer NOT NULL,
	`kind` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`interval_seconds` integer,
	`cron` text,
	`timeout_ms` integer DEFAULT 10000 NOT NULL,
	`failure_threshold` integer DEFAULT 3 NOT NULL,
	`success_threshold` integer DEFAULT 2 NOT NULL,
	`settings` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checks_key_unique` ON `checks` (`key`);--> statement-breakpoint
CREATE INDEX `checks_asset_idx` ON `checks` (`asset_id`);--> statement-breakpoint
CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`ts` integer NOT NULL,
	`type` text NOT NULL,
	`subject_kind` text NOT NULL,
	`subject_id` integer,
	`subject_key` text,
	`severity` text DEFAULT 'info' NOT NULL,
	`drill_run_id` integer,
	`actor` text NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_subject_idx` ON `events` (`subject_kind`,`subject_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_type_idx` ON `events` (`type`,`id`);--> statement-breakpoint
CREATE INDEX `events_ts_idx` ON `events` (`ts`);--> statement-breakpoint
CREATE TABLE `api_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`token_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_tokens_token_hash_unique` ON `api_tokens` (`token_hash`);