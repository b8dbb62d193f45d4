"""Fine-tuning the tutor on teachers' corrections (pure, no Django): ``config`` is plain data, ``lora`` the loop
that loads torch and peft."""
