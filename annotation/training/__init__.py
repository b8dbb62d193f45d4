"""Fine-tuning the tutor on teachers' corrections (pure: torch, peft and transformers, no Django)."""
