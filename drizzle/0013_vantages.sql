CREATE TABLE `check_votes` (
	`check_id` integer NOT NULL,
	`vantage_id` integer NOT NULL,
	`status` text NOT NULL,
	`at` integer NOT NULL,
	`message` text,
	PRIMARY KEY(`check_id`, `vantage_id`),
	FOREIGN KEY (`check_id`) REFERENCES `checks`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`vantage_id`) REFERENCES `vantages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `probe_batches` (
	`vantage_id` integer NOT NULL,
	`batch_id` text NOT NULL,
	`results` integer NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`vantage_id`, `batch_id`),
	FOREIGN KEY (`vantage_id`) REFERENCES `vantages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `probe_batches_received_idx` ON `probe_batches` (`received_at`);--> statement-breakpoint
CREATE TABLE `vantages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`description` text,
	`grace_seconds` integer DEFAULT 60 NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`since` integer NOT NULL,
	`last_seen_at` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vantages_name_unique` ON `vantages` (`name`);--> statement-breakpoint
ALTER TABLE `checks` ADD `vantages` text;--> statement-breakpoint
ALTER TABLE `checks` ADD `quorum` integer;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `vantage_id` integer;--> statement-breakpoint
ALTER TABLE `check_results` ADD `vantage_id` integer;--> statement-breakpoint
INSERT INTO `vantages` (`name`, `kind`, `status`, `since`, `created_at`) VALUES ('central', 'central', 'live', 0, 0);