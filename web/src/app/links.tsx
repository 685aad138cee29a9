import {
  ActionIcon,
  type ActionIconProps,
  Anchor,
  type AnchorProps,
  Button,
  type ButtonProps,
} from "@mantine/core";
import { createLink, type LinkComponent } from "@tanstack/react-router";
import type { AnchorHTMLAttributes, Ref } from "react";

/** Mantine's anchor, button and icon button as router links, with typed routes and params. */
type AnchorElementProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "color" | "style"> & {
  ref?: Ref<HTMLAnchorElement>;
};

function MantineAnchor(props: AnchorProps & AnchorElementProps) {
  return <Anchor {...props} />;
}
function MantineButton(props: ButtonProps & AnchorElementProps) {
  return <Button component="a" {...props} />;
}
function MantineActionIcon(props: ActionIconProps & AnchorElementProps) {
  return <ActionIcon component="a" {...props} />;
}

const AnchorLinkBase = createLink(MantineAnchor);
const ButtonLinkBase = createLink(MantineButton);
const ActionIconLinkBase = createLink(MantineActionIcon);

export const AnchorLink: LinkComponent<typeof MantineAnchor> = (props) => <AnchorLinkBase {...props} />;
export const ButtonLink: LinkComponent<typeof MantineButton> = (props) => <ButtonLinkBase {...props} />;
export const ActionIconLink: LinkComponent<typeof MantineActionIcon> = (props) => (
  <ActionIconLinkBase {...props} />
);
