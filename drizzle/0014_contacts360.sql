CREATE TABLE "contact_note" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"author_user_id" text,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_link_decision" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"source" text NOT NULL,
	"score" double precision,
	"evidence" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reason" text,
	"decided_by_user_id" text,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_resolution_setting" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"certainty" double precision DEFAULT 0.8 NOT NULL,
	"auto_link_certainty" double precision,
	"customer_number_attribute" text DEFAULT 'customer_number' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segment" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"name" text NOT NULL,
	"filter" jsonb NOT NULL,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "opt_in_link" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organization_id" uuid NOT NULL,
	"contact_id" uuid NOT NULL,
	"identity_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"purpose" text DEFAULT 'service' NOT NULL,
	"wording" text NOT NULL,
	"locale" text DEFAULT 'de' NOT NULL,
	"campaign" text,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_by_user_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "contact_note" ADD CONSTRAINT "contact_note_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_note" ADD CONSTRAINT "contact_note_contact_id_contact_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contact"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_note" ADD CONSTRAINT "contact_note_author_user_id_user_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_link_decision" ADD CONSTRAINT "identity_link_decision_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_link_decision" ADD CONSTRAINT "identity_link_decision_identity_id_social_identity_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."social_identity"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_link_decision" ADD CONSTRAINT "identity_link_decision_contact_id_contact_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contact"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "identity_resolution_setting" ADD CONSTRAINT "identity_resolution_setting_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment" ADD CONSTRAINT "segment_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment" ADD CONSTRAINT "segment_created_by_user_id_user_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opt_in_link" ADD CONSTRAINT "opt_in_link_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opt_in_link" ADD CONSTRAINT "opt_in_link_contact_id_contact_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contact"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "opt_in_link" ADD CONSTRAINT "opt_in_link_identity_id_social_identity_id_fk" FOREIGN KEY ("identity_id") REFERENCES "public"."social_identity"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_note_contact_idx" ON "contact_note" USING btree ("organization_id","contact_id","created_at");--> statement-breakpoint
CREATE INDEX "identity_link_decision_contact_idx" ON "identity_link_decision" USING btree ("organization_id","contact_id","decided_at");--> statement-breakpoint
CREATE INDEX "identity_link_decision_identity_idx" ON "identity_link_decision" USING btree ("organization_id","identity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "segment_org_name_idx" ON "segment" USING btree ("organization_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "opt_in_link_token_idx" ON "opt_in_link" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "opt_in_link_contact_idx" ON "opt_in_link" USING btree ("organization_id","contact_id");