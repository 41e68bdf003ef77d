ALTER TABLE `webhooks` ADD `partner_id` integer;--> statement-breakpoint
ALTER TABLE `allied_items` ADD `remote_event_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `allied_items` ADD `retracted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `allied_sources` ADD `push_secret` text;