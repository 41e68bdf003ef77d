ALTER TABLE `incident_updates` ADD `visibility` text DEFAULT 'internal' NOT NULL;--> statement-breakpoint
-- Every update written before this column existed was shown on the public pages: keep them public.
UPDATE `incident_updates` SET `visibility` = 'public';
