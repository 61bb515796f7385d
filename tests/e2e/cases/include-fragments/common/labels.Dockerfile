LABEL org.example.included="yes"
ENV INCLUDED=1
