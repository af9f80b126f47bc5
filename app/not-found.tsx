import Link from "next/link";
import { EmptyState } from "./_components/EmptyState";
import { primaryButton } from "./_components/styles";

export default function NotFound() {
  return (
    <EmptyState
      title="Nothing here"
      action={
        <Link href="/collections" className={primaryButton}>
          Go to your collections
        </Link>
      }
    >
      This page does not exist, or what it showed (a collection, image, cluster or model) was deleted.
    </EmptyState>
  );
}
