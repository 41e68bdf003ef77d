CREATE TABLE `status_page_components` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`page_id` integer NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`group_name` text,
	`asset_id` integer,
	`function_id` integer,
	FOREIGN KEY (`page_id`) REFERENCES `status_pages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`asset_id`) REFERENCES `assets`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`function_id`) REFERENCES `mission_functions`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "status_page_components_one_target" CHECK(("status_page_components"."asset_id" IS NULL) <> ("status_page_components"."function_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `status_page_components_page_idx` ON `status_page_components` (`page_id`,`position`);--> statement-breakpoint
CREATE INDEX `status_page_components_asset_idx` ON `status_page_components` (`asset_id`);--> statement-breakpoint
CREATE INDEX `status_page_components_function_idx` ON `status_page_components` (`function_id`);--> statement-breakpoint
CREATE TABLE `status_pages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`slug` text NOT NULL,
	`title` text NOT NULL,
	`description` text,
	`show_incidents` integer DEFAULT true NOT NULL,
	`show_maintenance` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `status_pages_slug_unique` ON `status_pages` (`slug`);