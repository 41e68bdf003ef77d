ALTER TABLE `assets` ADD `link_medium` text;--> statement-breakpoint
-- Links stored before the medium existed were terrestrial or subsea circuits: fibre.
UPDATE `assets` SET `link_medium` = 'fibre' WHERE `kind` = 'network_link';
