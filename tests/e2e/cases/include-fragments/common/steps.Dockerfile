WORKDIR /out
RUN echo nested > /out/nested.txt
