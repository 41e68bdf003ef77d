CREATE TABLE `allied_events` (
	`source_id` integer NOT NULL,
	`remote_id` integer NOT NULL,
	`type` text NOT NULL,
	`at` integer NOT NULL,
	`drill` integer NOT NULL,
	`data` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`source_id`, `remote_id`),
	FOREIGN KEY (`source_id`) REFERENCES `allied_sources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `allied_items` (
	`source_id` integer NOT NULL,
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`marking` text,
	`drill` integer DEFAULT false NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`source_id`, `kind`, `key`),
	FOREIGN KEY (`source_id`) REFERENCES `allied_sources`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `allied_sources` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`url` text NOT NULL,
	`token` text NOT NULL,
	`cursor` integer DEFAULT 0 NOT NULL,
	`last_success_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `allied_sources_name_unique` ON `allied_sources` (`name`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`country` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_key_unique` ON `partners` (`key`);--> statement-breakpoint
CREATE TABLE `sharing_audit` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`partner_id` integer NOT NULL,
	`channel` text NOT NULL,
	`action` text NOT NULL,
	`item_kind` text NOT NULL,
	`item_key` text NOT NULL,
	`event_id` integer,
	`marking` text
);
--> statement-breakpoint
CREATE INDEX `sharing_audit_partner_idx` ON `sharing_audit` (`partner_id`,`id`);--> statement-breakpoint
ALTER TABLE `assets` ADD `marking` text;--> statement-breakpoint
ALTER TABLE `mission_functions` ADD `marking` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `partner_id` integer;--> statement-breakpoint
ALTER TABLE `incidents` ADD `marking` text;--> statement-breakpoint
ALTER TABLE `drills` ADD `marking` text;--> statement-breakpoint
ALTER TABLE `scenarios` ADD `marking` text;--> statement-breakpoint
ALTER TABLE `status_pages` ADD `marking` text;