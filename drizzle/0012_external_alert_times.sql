ALTER TABLE `external_alerts` ADD `starts_at` integer;--> statement-breakpoint
ALTER TABLE `external_alerts` ADD `ends_at` integer;--> statement-breakpoint
ALTER TABLE `external_alerts` ADD `clipped` text;