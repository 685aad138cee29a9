ALTER TABLE "channel" ADD COLUMN "csat_enabled" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "csat_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "csat_score" integer;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "csat_answered_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "conversation_org_status_due_idx" ON "conversation" USING btree ("organization_id","status",least("first_response_due_at", "next_response_due_at", "resolution_due_at"),"id");