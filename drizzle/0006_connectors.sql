CREATE TYPE "public"."channel_health" AS ENUM('unknown', 'healthy', 'failing');--> statement-breakpoint
CREATE TYPE "public"."delivery_state" AS ENUM('queued', 'sending', 'sent', 'failed');--> statement-breakpoint
CREATE TABLE "channel_account" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"network" text NOT NULL,
	"display_name" text,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credentials" text NOT NULL,
	"health" "channel_health" DEFAULT 'unknown' NOT NULL,
	"last_error" text,
	"last_checked_at" timestamp with time zone,
	"rate_limit" jsonb,
	"cursor" jsonb,
	"next_poll_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "delivery_state" "delivery_state";--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "delivery_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "next_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "delivery_error" text;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "message" ADD COLUMN "delivered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "channel_account" ADD CONSTRAINT "channel_account_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_account" ADD CONSTRAINT "channel_account_channel_id_channel_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channel"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_account_channel_idx" ON "channel_account" USING btree ("channel_id");--> statement-breakpoint
CREATE INDEX "channel_account_org_idx" ON "channel_account" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "channel_account_next_poll_idx" ON "channel_account" USING btree ("next_poll_at");--> statement-breakpoint
CREATE INDEX "message_delivery_due_idx" ON "message" USING btree ("next_attempt_at") WHERE delivery_state in ('queued', 'sending');